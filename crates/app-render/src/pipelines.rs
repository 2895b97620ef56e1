//! Pipeline construction: the instanced mesh pipelines (shadow casters and the scene pass share one
//! recipe), and the scene pass's variants, cached per output format.

use std::collections::HashMap;

use crate::instances::InstanceRaw;
use crate::mesh::MeshVertex;

/// What differs between the instanced mesh pipelines.
pub struct MeshPipelineDesc<'a> {
    /// Debug label.
    pub label: &'a str,
    /// The bind group layouts, group 0 first.
    pub layouts: &'a [&'a wgpu::BindGroupLayout],
    /// The module holding both entry points.
    pub shader: &'a wgpu::ShaderModule,
    /// Vertex entry point.
    pub vertex_entry: &'a str,
    /// Blend the color output "over" what is there (straight alpha) instead of replacing it.
    pub blend: bool,
    /// Fragment entry point and its color target (`None`: the fragment writes no color, it only
    /// discards), or `None` for depth only.
    pub fragment: Option<(&'a str, Option<wgpu::TextureFormat>)>,
    /// Depth format, bias included.
    pub depth: wgpu::DepthStencilState,
    /// Back-face culling (the scene pass) or none (shadow casters: planes cast from both sides).
    pub cull_mode: Option<wgpu::Face>,
    /// Samples per pixel of the attachments.
    pub samples: u32,
}

/// An instanced pipeline over the mesh (slot 0) and instance (slot 1) vertex buffers.
pub fn mesh_pipeline(device: &wgpu::Device, desc: &MeshPipelineDesc<'_>) -> wgpu::RenderPipeline {
    let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(desc.label),
        bind_group_layouts: &desc.layouts.iter().map(|l| Some(*l)).collect::<Vec<_>>(),
        immediate_size: 0,
    });
    let blend = desc.blend.then_some(wgpu::BlendState::ALPHA_BLENDING);
    // A fragment entry without a format writes no color (a depth-only pass that still discards).
    let targets: Option<Vec<Option<wgpu::ColorTargetState>>> = desc.fragment.map(|(_, format)| {
        format
            .map(|format| wgpu::ColorTargetState {
                format,
                blend,
                write_mask: wgpu::ColorWrites::ALL,
            })
            .into_iter()
            .map(Some)
            .collect()
    });
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(desc.label),
        layout: Some(&layout),
        vertex: wgpu::VertexState {
            module: desc.shader,
            entry_point: Some(desc.vertex_entry),
            compilation_options: Default::default(),
            buffers: &[Some(MeshVertex::LAYOUT), Some(InstanceRaw::LAYOUT)],
        },
        primitive: wgpu::PrimitiveState {
            cull_mode: desc.cull_mode,
            ..Default::default()
        },
        depth_stencil: Some(desc.depth.clone()),
        multisample: wgpu::MultisampleState {
            count: desc.samples,
            ..Default::default()
        },
        fragment: desc
            .fragment
            .zip(targets.as_ref())
            .map(|((entry, _), targets)| wgpu::FragmentState {
                module: desc.shader,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                targets: targets.as_slice(),
            }),
        multiview_mask: None,
        cache: None,
    })
}

/// Which scene pipeline a surface draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SceneVariant {
    /// Blended "over" what is there, drawn after opaque surfaces, without writing depth.
    pub blend: bool,
    /// Back faces drawn too (no culling).
    pub double_sided: bool,
    /// Samples the surface's five textures (`fs_main`, bind group 1 with textures); without any,
    /// `fs_untextured` skips sampling and bind group 1 holds the uniforms only
    /// (`surface::samples_textures`).
    pub textured: bool,
}

/// The scene pass's pipelines: one per output format and [`SceneVariant`], each built the first time
/// a frame needs it (or when [`ScenePipelines::prepare`] is called ahead, as app-wasm does for the
/// canvas's format at start), so a scene of built-in shapes compiles one.
pub struct ScenePipelines {
    shader: wgpu::ShaderModule,
    frame_layout: wgpu::BindGroupLayout,
    /// Bind group 1 of textured variants.
    textured_layout: wgpu::BindGroupLayout,
    /// Bind group 1 of untextured variants: the surface uniforms only.
    untextured_layout: wgpu::BindGroupLayout,
    samples: u32,
    built: HashMap<(wgpu::TextureFormat, SceneVariant), wgpu::RenderPipeline>,
}

impl ScenePipelines {
    /// Keeps what building a variant needs (`samples` per pixel of the scene pass; bind group 1's
    /// layouts for textured and untextured surfaces); builds none.
    pub fn new(
        samples: u32,
        shader: &wgpu::ShaderModule,
        frame_layout: &wgpu::BindGroupLayout,
        [textured_layout, untextured_layout]: [&wgpu::BindGroupLayout; 2],
    ) -> Self {
        Self {
            shader: shader.clone(),
            frame_layout: frame_layout.clone(),
            textured_layout: textured_layout.clone(),
            untextured_layout: untextured_layout.clone(),
            samples,
            built: HashMap::new(),
        }
    }

    /// Makes sure the variant for views of `format` exists.
    pub fn prepare(
        &mut self,
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        variant: SceneVariant,
    ) {
        if self.built.contains_key(&(format, variant)) {
            return;
        }
        let (fragment_entry, surface_layout) = if variant.textured {
            ("fs_main", &self.textured_layout)
        } else {
            ("fs_untextured", &self.untextured_layout)
        };
        let pipeline = mesh_pipeline(
            device,
            &MeshPipelineDesc {
                label: "scene",
                layouts: &[&self.frame_layout, surface_layout],
                shader: &self.shader,
                vertex_entry: "vs_main",
                blend: variant.blend,
                fragment: Some((fragment_entry, Some(format))),
                depth: wgpu::DepthStencilState {
                    format: crate::targets::DEPTH_FORMAT,
                    // Blended surfaces are drawn after opaque ones and do not hide what is behind them.
                    depth_write_enabled: Some(!variant.blend),
                    depth_compare: Some(wgpu::CompareFunction::Less),
                    stencil: Default::default(),
                    bias: Default::default(),
                },
                cull_mode: (!variant.double_sided).then_some(wgpu::Face::Back),
                samples: self.samples,
            },
        );
        self.built.insert((format, variant), pipeline);
    }

    /// How many variants have been built.
    pub fn count(&self) -> usize {
        self.built.len()
    }

    /// The variant for views of `format`, if prepared.
    pub fn get(
        &self,
        format: wgpu::TextureFormat,
        variant: SceneVariant,
    ) -> Option<&wgpu::RenderPipeline> {
        self.built.get(&(format, variant))
    }
}

/// A bind group layout entry for a uniform buffer seen by both stages.
pub fn uniform_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}
